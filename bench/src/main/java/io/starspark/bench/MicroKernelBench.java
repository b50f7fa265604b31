package io.starspark.bench;

import jdk.incubator.vector.*;
/**
 * The GEMM micro-kernel of jvm.JavaMatmul (MR tokens x 32 rows, KC = 256, packed panels in L1/L2) at several MR,
 * one thread, interleaved rounds: which tile height this machine's FMA latency and register file favour.
 * Usage: bench/run-java.sh 1g io.starspark.bench.MicroKernelBench
 */
public final class MicroKernelBench {
 static final VectorSpecies<Float> S=FloatVector.SPECIES_512; static final int NR=32;
  static void m4(float[] xp,int xOff,float[] wp,int wOff,int kc,float[] tile){
    FloatVector c00=FloatVector.zero(S),c01=FloatVector.zero(S);
    FloatVector c10=FloatVector.zero(S),c11=FloatVector.zero(S);
    FloatVector c20=FloatVector.zero(S),c21=FloatVector.zero(S);
    FloatVector c30=FloatVector.zero(S),c31=FloatVector.zero(S);
    for(int k=0;k<kc;k++){ int b=wOff+k*NR; FloatVector b0=FloatVector.fromArray(S,wp,b),b1=FloatVector.fromArray(S,wp,b+16); int a=xOff+k*4;
      FloatVector a0=FloatVector.broadcast(S,xp[a+0]); c00=a0.fma(b0,c00); c01=a0.fma(b1,c01);
      FloatVector a1=FloatVector.broadcast(S,xp[a+1]); c10=a1.fma(b0,c10); c11=a1.fma(b1,c11);
      FloatVector a2=FloatVector.broadcast(S,xp[a+2]); c20=a2.fma(b0,c20); c21=a2.fma(b1,c21);
      FloatVector a3=FloatVector.broadcast(S,xp[a+3]); c30=a3.fma(b0,c30); c31=a3.fma(b1,c31);
    }
    c00.intoArray(tile,0*NR); c01.intoArray(tile,0*NR+16);
    c10.intoArray(tile,1*NR); c11.intoArray(tile,1*NR+16);
    c20.intoArray(tile,2*NR); c21.intoArray(tile,2*NR+16);
    c30.intoArray(tile,3*NR); c31.intoArray(tile,3*NR+16);
  }
  static void m6(float[] xp,int xOff,float[] wp,int wOff,int kc,float[] tile){
    FloatVector c00=FloatVector.zero(S),c01=FloatVector.zero(S);
    FloatVector c10=FloatVector.zero(S),c11=FloatVector.zero(S);
    FloatVector c20=FloatVector.zero(S),c21=FloatVector.zero(S);
    FloatVector c30=FloatVector.zero(S),c31=FloatVector.zero(S);
    FloatVector c40=FloatVector.zero(S),c41=FloatVector.zero(S);
    FloatVector c50=FloatVector.zero(S),c51=FloatVector.zero(S);
    for(int k=0;k<kc;k++){ int b=wOff+k*NR; FloatVector b0=FloatVector.fromArray(S,wp,b),b1=FloatVector.fromArray(S,wp,b+16); int a=xOff+k*6;
      FloatVector a0=FloatVector.broadcast(S,xp[a+0]); c00=a0.fma(b0,c00); c01=a0.fma(b1,c01);
      FloatVector a1=FloatVector.broadcast(S,xp[a+1]); c10=a1.fma(b0,c10); c11=a1.fma(b1,c11);
      FloatVector a2=FloatVector.broadcast(S,xp[a+2]); c20=a2.fma(b0,c20); c21=a2.fma(b1,c21);
      FloatVector a3=FloatVector.broadcast(S,xp[a+3]); c30=a3.fma(b0,c30); c31=a3.fma(b1,c31);
      FloatVector a4=FloatVector.broadcast(S,xp[a+4]); c40=a4.fma(b0,c40); c41=a4.fma(b1,c41);
      FloatVector a5=FloatVector.broadcast(S,xp[a+5]); c50=a5.fma(b0,c50); c51=a5.fma(b1,c51);
    }
    c00.intoArray(tile,0*NR); c01.intoArray(tile,0*NR+16);
    c10.intoArray(tile,1*NR); c11.intoArray(tile,1*NR+16);
    c20.intoArray(tile,2*NR); c21.intoArray(tile,2*NR+16);
    c30.intoArray(tile,3*NR); c31.intoArray(tile,3*NR+16);
    c40.intoArray(tile,4*NR); c41.intoArray(tile,4*NR+16);
    c50.intoArray(tile,5*NR); c51.intoArray(tile,5*NR+16);
  }
  static void m8(float[] xp,int xOff,float[] wp,int wOff,int kc,float[] tile){
    FloatVector c00=FloatVector.zero(S),c01=FloatVector.zero(S);
    FloatVector c10=FloatVector.zero(S),c11=FloatVector.zero(S);
    FloatVector c20=FloatVector.zero(S),c21=FloatVector.zero(S);
    FloatVector c30=FloatVector.zero(S),c31=FloatVector.zero(S);
    FloatVector c40=FloatVector.zero(S),c41=FloatVector.zero(S);
    FloatVector c50=FloatVector.zero(S),c51=FloatVector.zero(S);
    FloatVector c60=FloatVector.zero(S),c61=FloatVector.zero(S);
    FloatVector c70=FloatVector.zero(S),c71=FloatVector.zero(S);
    for(int k=0;k<kc;k++){ int b=wOff+k*NR; FloatVector b0=FloatVector.fromArray(S,wp,b),b1=FloatVector.fromArray(S,wp,b+16); int a=xOff+k*8;
      FloatVector a0=FloatVector.broadcast(S,xp[a+0]); c00=a0.fma(b0,c00); c01=a0.fma(b1,c01);
      FloatVector a1=FloatVector.broadcast(S,xp[a+1]); c10=a1.fma(b0,c10); c11=a1.fma(b1,c11);
      FloatVector a2=FloatVector.broadcast(S,xp[a+2]); c20=a2.fma(b0,c20); c21=a2.fma(b1,c21);
      FloatVector a3=FloatVector.broadcast(S,xp[a+3]); c30=a3.fma(b0,c30); c31=a3.fma(b1,c31);
      FloatVector a4=FloatVector.broadcast(S,xp[a+4]); c40=a4.fma(b0,c40); c41=a4.fma(b1,c41);
      FloatVector a5=FloatVector.broadcast(S,xp[a+5]); c50=a5.fma(b0,c50); c51=a5.fma(b1,c51);
      FloatVector a6=FloatVector.broadcast(S,xp[a+6]); c60=a6.fma(b0,c60); c61=a6.fma(b1,c61);
      FloatVector a7=FloatVector.broadcast(S,xp[a+7]); c70=a7.fma(b0,c70); c71=a7.fma(b1,c71);
    }
    c00.intoArray(tile,0*NR); c01.intoArray(tile,0*NR+16);
    c10.intoArray(tile,1*NR); c11.intoArray(tile,1*NR+16);
    c20.intoArray(tile,2*NR); c21.intoArray(tile,2*NR+16);
    c30.intoArray(tile,3*NR); c31.intoArray(tile,3*NR+16);
    c40.intoArray(tile,4*NR); c41.intoArray(tile,4*NR+16);
    c50.intoArray(tile,5*NR); c51.intoArray(tile,5*NR+16);
    c60.intoArray(tile,6*NR); c61.intoArray(tile,6*NR+16);
    c70.intoArray(tile,7*NR); c71.intoArray(tile,7*NR+16);
  }
  static void m10(float[] xp,int xOff,float[] wp,int wOff,int kc,float[] tile){
    FloatVector c00=FloatVector.zero(S),c01=FloatVector.zero(S);
    FloatVector c10=FloatVector.zero(S),c11=FloatVector.zero(S);
    FloatVector c20=FloatVector.zero(S),c21=FloatVector.zero(S);
    FloatVector c30=FloatVector.zero(S),c31=FloatVector.zero(S);
    FloatVector c40=FloatVector.zero(S),c41=FloatVector.zero(S);
    FloatVector c50=FloatVector.zero(S),c51=FloatVector.zero(S);
    FloatVector c60=FloatVector.zero(S),c61=FloatVector.zero(S);
    FloatVector c70=FloatVector.zero(S),c71=FloatVector.zero(S);
    FloatVector c80=FloatVector.zero(S),c81=FloatVector.zero(S);
    FloatVector c90=FloatVector.zero(S),c91=FloatVector.zero(S);
    for(int k=0;k<kc;k++){ int b=wOff+k*NR; FloatVector b0=FloatVector.fromArray(S,wp,b),b1=FloatVector.fromArray(S,wp,b+16); int a=xOff+k*10;
      FloatVector a0=FloatVector.broadcast(S,xp[a+0]); c00=a0.fma(b0,c00); c01=a0.fma(b1,c01);
      FloatVector a1=FloatVector.broadcast(S,xp[a+1]); c10=a1.fma(b0,c10); c11=a1.fma(b1,c11);
      FloatVector a2=FloatVector.broadcast(S,xp[a+2]); c20=a2.fma(b0,c20); c21=a2.fma(b1,c21);
      FloatVector a3=FloatVector.broadcast(S,xp[a+3]); c30=a3.fma(b0,c30); c31=a3.fma(b1,c31);
      FloatVector a4=FloatVector.broadcast(S,xp[a+4]); c40=a4.fma(b0,c40); c41=a4.fma(b1,c41);
      FloatVector a5=FloatVector.broadcast(S,xp[a+5]); c50=a5.fma(b0,c50); c51=a5.fma(b1,c51);
      FloatVector a6=FloatVector.broadcast(S,xp[a+6]); c60=a6.fma(b0,c60); c61=a6.fma(b1,c61);
      FloatVector a7=FloatVector.broadcast(S,xp[a+7]); c70=a7.fma(b0,c70); c71=a7.fma(b1,c71);
      FloatVector a8=FloatVector.broadcast(S,xp[a+8]); c80=a8.fma(b0,c80); c81=a8.fma(b1,c81);
      FloatVector a9=FloatVector.broadcast(S,xp[a+9]); c90=a9.fma(b0,c90); c91=a9.fma(b1,c91);
    }
    c00.intoArray(tile,0*NR); c01.intoArray(tile,0*NR+16);
    c10.intoArray(tile,1*NR); c11.intoArray(tile,1*NR+16);
    c20.intoArray(tile,2*NR); c21.intoArray(tile,2*NR+16);
    c30.intoArray(tile,3*NR); c31.intoArray(tile,3*NR+16);
    c40.intoArray(tile,4*NR); c41.intoArray(tile,4*NR+16);
    c50.intoArray(tile,5*NR); c51.intoArray(tile,5*NR+16);
    c60.intoArray(tile,6*NR); c61.intoArray(tile,6*NR+16);
    c70.intoArray(tile,7*NR); c71.intoArray(tile,7*NR+16);
    c80.intoArray(tile,8*NR); c81.intoArray(tile,8*NR+16);
    c90.intoArray(tile,9*NR); c91.intoArray(tile,9*NR+16);
  }
  static void m12(float[] xp,int xOff,float[] wp,int wOff,int kc,float[] tile){
    FloatVector c00=FloatVector.zero(S),c01=FloatVector.zero(S);
    FloatVector c10=FloatVector.zero(S),c11=FloatVector.zero(S);
    FloatVector c20=FloatVector.zero(S),c21=FloatVector.zero(S);
    FloatVector c30=FloatVector.zero(S),c31=FloatVector.zero(S);
    FloatVector c40=FloatVector.zero(S),c41=FloatVector.zero(S);
    FloatVector c50=FloatVector.zero(S),c51=FloatVector.zero(S);
    FloatVector c60=FloatVector.zero(S),c61=FloatVector.zero(S);
    FloatVector c70=FloatVector.zero(S),c71=FloatVector.zero(S);
    FloatVector c80=FloatVector.zero(S),c81=FloatVector.zero(S);
    FloatVector c90=FloatVector.zero(S),c91=FloatVector.zero(S);
    FloatVector c100=FloatVector.zero(S),c101=FloatVector.zero(S);
    FloatVector c110=FloatVector.zero(S),c111=FloatVector.zero(S);
    for(int k=0;k<kc;k++){ int b=wOff+k*NR; FloatVector b0=FloatVector.fromArray(S,wp,b),b1=FloatVector.fromArray(S,wp,b+16); int a=xOff+k*12;
      FloatVector a0=FloatVector.broadcast(S,xp[a+0]); c00=a0.fma(b0,c00); c01=a0.fma(b1,c01);
      FloatVector a1=FloatVector.broadcast(S,xp[a+1]); c10=a1.fma(b0,c10); c11=a1.fma(b1,c11);
      FloatVector a2=FloatVector.broadcast(S,xp[a+2]); c20=a2.fma(b0,c20); c21=a2.fma(b1,c21);
      FloatVector a3=FloatVector.broadcast(S,xp[a+3]); c30=a3.fma(b0,c30); c31=a3.fma(b1,c31);
      FloatVector a4=FloatVector.broadcast(S,xp[a+4]); c40=a4.fma(b0,c40); c41=a4.fma(b1,c41);
      FloatVector a5=FloatVector.broadcast(S,xp[a+5]); c50=a5.fma(b0,c50); c51=a5.fma(b1,c51);
      FloatVector a6=FloatVector.broadcast(S,xp[a+6]); c60=a6.fma(b0,c60); c61=a6.fma(b1,c61);
      FloatVector a7=FloatVector.broadcast(S,xp[a+7]); c70=a7.fma(b0,c70); c71=a7.fma(b1,c71);
      FloatVector a8=FloatVector.broadcast(S,xp[a+8]); c80=a8.fma(b0,c80); c81=a8.fma(b1,c81);
      FloatVector a9=FloatVector.broadcast(S,xp[a+9]); c90=a9.fma(b0,c90); c91=a9.fma(b1,c91);
      FloatVector a10=FloatVector.broadcast(S,xp[a+10]); c100=a10.fma(b0,c100); c101=a10.fma(b1,c101);
      FloatVector a11=FloatVector.broadcast(S,xp[a+11]); c110=a11.fma(b0,c110); c111=a11.fma(b1,c111);
    }
    c00.intoArray(tile,0*NR); c01.intoArray(tile,0*NR+16);
    c10.intoArray(tile,1*NR); c11.intoArray(tile,1*NR+16);
    c20.intoArray(tile,2*NR); c21.intoArray(tile,2*NR+16);
    c30.intoArray(tile,3*NR); c31.intoArray(tile,3*NR+16);
    c40.intoArray(tile,4*NR); c41.intoArray(tile,4*NR+16);
    c50.intoArray(tile,5*NR); c51.intoArray(tile,5*NR+16);
    c60.intoArray(tile,6*NR); c61.intoArray(tile,6*NR+16);
    c70.intoArray(tile,7*NR); c71.intoArray(tile,7*NR+16);
    c80.intoArray(tile,8*NR); c81.intoArray(tile,8*NR+16);
    c90.intoArray(tile,9*NR); c91.intoArray(tile,9*NR+16);
    c100.intoArray(tile,10*NR); c101.intoArray(tile,10*NR+16);
    c110.intoArray(tile,11*NR); c111.intoArray(tile,11*NR+16);
  }
  static void m14(float[] xp,int xOff,float[] wp,int wOff,int kc,float[] tile){
    FloatVector c00=FloatVector.zero(S),c01=FloatVector.zero(S);
    FloatVector c10=FloatVector.zero(S),c11=FloatVector.zero(S);
    FloatVector c20=FloatVector.zero(S),c21=FloatVector.zero(S);
    FloatVector c30=FloatVector.zero(S),c31=FloatVector.zero(S);
    FloatVector c40=FloatVector.zero(S),c41=FloatVector.zero(S);
    FloatVector c50=FloatVector.zero(S),c51=FloatVector.zero(S);
    FloatVector c60=FloatVector.zero(S),c61=FloatVector.zero(S);
    FloatVector c70=FloatVector.zero(S),c71=FloatVector.zero(S);
    FloatVector c80=FloatVector.zero(S),c81=FloatVector.zero(S);
    FloatVector c90=FloatVector.zero(S),c91=FloatVector.zero(S);
    FloatVector c100=FloatVector.zero(S),c101=FloatVector.zero(S);
    FloatVector c110=FloatVector.zero(S),c111=FloatVector.zero(S);
    FloatVector c120=FloatVector.zero(S),c121=FloatVector.zero(S);
    FloatVector c130=FloatVector.zero(S),c131=FloatVector.zero(S);
    for(int k=0;k<kc;k++){ int b=wOff+k*NR; FloatVector b0=FloatVector.fromArray(S,wp,b),b1=FloatVector.fromArray(S,wp,b+16); int a=xOff+k*14;
      FloatVector a0=FloatVector.broadcast(S,xp[a+0]); c00=a0.fma(b0,c00); c01=a0.fma(b1,c01);
      FloatVector a1=FloatVector.broadcast(S,xp[a+1]); c10=a1.fma(b0,c10); c11=a1.fma(b1,c11);
      FloatVector a2=FloatVector.broadcast(S,xp[a+2]); c20=a2.fma(b0,c20); c21=a2.fma(b1,c21);
      FloatVector a3=FloatVector.broadcast(S,xp[a+3]); c30=a3.fma(b0,c30); c31=a3.fma(b1,c31);
      FloatVector a4=FloatVector.broadcast(S,xp[a+4]); c40=a4.fma(b0,c40); c41=a4.fma(b1,c41);
      FloatVector a5=FloatVector.broadcast(S,xp[a+5]); c50=a5.fma(b0,c50); c51=a5.fma(b1,c51);
      FloatVector a6=FloatVector.broadcast(S,xp[a+6]); c60=a6.fma(b0,c60); c61=a6.fma(b1,c61);
      FloatVector a7=FloatVector.broadcast(S,xp[a+7]); c70=a7.fma(b0,c70); c71=a7.fma(b1,c71);
      FloatVector a8=FloatVector.broadcast(S,xp[a+8]); c80=a8.fma(b0,c80); c81=a8.fma(b1,c81);
      FloatVector a9=FloatVector.broadcast(S,xp[a+9]); c90=a9.fma(b0,c90); c91=a9.fma(b1,c91);
      FloatVector a10=FloatVector.broadcast(S,xp[a+10]); c100=a10.fma(b0,c100); c101=a10.fma(b1,c101);
      FloatVector a11=FloatVector.broadcast(S,xp[a+11]); c110=a11.fma(b0,c110); c111=a11.fma(b1,c111);
      FloatVector a12=FloatVector.broadcast(S,xp[a+12]); c120=a12.fma(b0,c120); c121=a12.fma(b1,c121);
      FloatVector a13=FloatVector.broadcast(S,xp[a+13]); c130=a13.fma(b0,c130); c131=a13.fma(b1,c131);
    }
    c00.intoArray(tile,0*NR); c01.intoArray(tile,0*NR+16);
    c10.intoArray(tile,1*NR); c11.intoArray(tile,1*NR+16);
    c20.intoArray(tile,2*NR); c21.intoArray(tile,2*NR+16);
    c30.intoArray(tile,3*NR); c31.intoArray(tile,3*NR+16);
    c40.intoArray(tile,4*NR); c41.intoArray(tile,4*NR+16);
    c50.intoArray(tile,5*NR); c51.intoArray(tile,5*NR+16);
    c60.intoArray(tile,6*NR); c61.intoArray(tile,6*NR+16);
    c70.intoArray(tile,7*NR); c71.intoArray(tile,7*NR+16);
    c80.intoArray(tile,8*NR); c81.intoArray(tile,8*NR+16);
    c90.intoArray(tile,9*NR); c91.intoArray(tile,9*NR+16);
    c100.intoArray(tile,10*NR); c101.intoArray(tile,10*NR+16);
    c110.intoArray(tile,11*NR); c111.intoArray(tile,11*NR+16);
    c120.intoArray(tile,12*NR); c121.intoArray(tile,12*NR+16);
    c130.intoArray(tile,13*NR); c131.intoArray(tile,13*NR+16);
  }

 public static void main(String[] args){
  int KC=256, panels=16; float[] wp=new float[16*KC*NR]; float[] tile=new float[14*NR];
  java.util.Random r=new java.util.Random(1); for(int i=0;i<wp.length;i++) wp[i]=r.nextFloat();
  int[] mrs={4,6,8,10,12,14};
  float[][] xps=new float[15][]; for(int m:mrs){ xps[m]=new float[panels*KC*m]; for(int i=0;i<xps[m].length;i++) xps[m][i]=r.nextFloat(); }
  for(int round=0;round<6;round++){ StringBuilder sb=new StringBuilder();
   for(int m:mrs){ float[] xp=xps[m]; long best=Long.MAX_VALUE; 
    for(int it=0;it<60;it++){ long t0=System.nanoTime();
      for(int jr=0;jr<16;jr++) for(int ir=0;ir<panels;ir++){ switch(m){case 4: m4(xp,ir*KC*4,wp,jr*KC*NR,KC,tile); break;case 6: m6(xp,ir*KC*6,wp,jr*KC*NR,KC,tile); break;case 8: m8(xp,ir*KC*8,wp,jr*KC*NR,KC,tile); break;case 10: m10(xp,ir*KC*10,wp,jr*KC*NR,KC,tile); break;case 12: m12(xp,ir*KC*12,wp,jr*KC*NR,KC,tile); break;case 14: m14(xp,ir*KC*14,wp,jr*KC*NR,KC,tile); break;} }
      long t=System.nanoTime()-t0; if(t<best)best=t; }
    double fl=2.0*16*panels*KC*m*NR; sb.append(String.format("MR=%d %.1f  ",m,fl/best)); }
   System.out.println(sb+" GFLOP/s (1 thread) tile0="+tile[0]); }
 }
}
